package planner

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Formats lists the output formats of Write.
var Formats = []string{"text", "markdown", "json"}

// collapseOver is the number of lines above which a Markdown table is
// folded into a <details> block.
const collapseOver = 20

// Write prints the plan as text, markdown or json.
func Write(w io.Writer, p Plan, format string) error {
	switch format {
	case "text", "":
		return writeText(w, p)
	case "markdown":
		return writeMarkdown(w, p)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(p)
	}
	return fmt.Errorf("unknown format %q: want text, markdown or json", format)
}

// summary is an environment's one-line count of changes by risk.
func summary(e Environment) string {
	counts := map[Risk]int{}
	for _, c := range e.Changes {
		counts[c.Risk]++
	}
	var parts []string
	for _, r := range []Risk{StateLoss, Restart, Safe} {
		if counts[r] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[r], r))
		}
	}
	s := "no changes"
	if len(parts) > 0 {
		s = fmt.Sprintf("%d change(s): %s", len(e.Changes), strings.Join(parts, ", "))
	}
	return fmt.Sprintf("%s, %d job(s) unchanged", s, e.UnchangedJobs)
}

func writeText(w io.Writer, p Plan) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, e := range p.Environments {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s: %s\n", e.Name, summary(e))
		for _, c := range e.Changes {
			fmt.Fprintf(tw, "  %s\t%s\t%s", c.Risk, c.Object(), strings.Join(c.Actions, "; "))
			if len(c.Fields) > 0 {
				fmt.Fprintf(tw, "\t%s", strings.Join(c.Fields, ", "))
			}
			fmt.Fprintln(tw)
		}
	}
	return tw.Flush()
}

func writeMarkdown(w io.Writer, p Plan) error {
	var b strings.Builder
	b.WriteString("## krm-flink plan\n")
	for _, e := range p.Environments {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n", e.Name, summary(e))
		if len(e.Changes) == 0 {
			continue
		}
		b.WriteString("\n")
		folded := len(e.Changes) > collapseOver
		if folded {
			fmt.Fprintf(&b, "<details><summary>%d changes</summary>\n\n", len(e.Changes))
		}
		b.WriteString("| Risk | Object | Action | Fields |\n|---|---|---|---|\n")
		for _, c := range e.Changes {
			fields := make([]string, len(c.Fields))
			for i, f := range c.Fields {
				fields[i] = "`" + strings.ReplaceAll(f, "`", "'") + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", riskBadge(c.Risk), cell(c.Object()), cell(strings.Join(c.Actions, "; ")), cell(strings.Join(fields, " ")))
		}
		if folded {
			b.WriteString("\n</details>\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func riskBadge(r Risk) string {
	switch r {
	case StateLoss:
		return "**state-loss**"
	case Restart:
		return "restart"
	}
	return "safe"
}

// cell escapes what would break a table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
