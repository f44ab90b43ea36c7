package chart

// This file is Helm's template engine (helm.sh/helm/v3 v3.22.0,
// pkg/engine/engine.go, funcs.go and files.go; Copyright The Helm Authors,
// Apache License 2.0) as `helm template` runs it (not strict, not linting,
// no cluster, no DNS), changed in two ways:
//
//   - a chart's templates are parsed once and the parsed set is cloned for
//     each render, where Helm parses every template and builds its ~200
//     template functions again on every render;
//   - toYaml writes with yaml11.Marshal, which gives sigs.k8s.io/yaml's
//     bytes without its JSON round trip.
//
// Everything else (function set, scoping of values to subcharts, the order
// templates are parsed in, error messages, "<no value>" removal) is Helm's.
// Render uses it for charts without dependencies, whose template set is
// fixed (see Concurrent); Helm's engine renders the others.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/template"
	"weak"

	"github.com/BurntSushi/toml"
	"github.com/Masterminds/sprig/v3"
	"github.com/gobwas/glob"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"
	goYaml "sigs.k8s.io/yaml/goyaml.v3"
)

// parsed is a chart's template set, parsed once.
type parsed struct {
	tpl     *template.Template // nil when parsing failed
	err     error              // the parse error Helm reports
	sources map[string]string  // what was parsed: template name -> text
	clones  sync.Pool          // of *clone, ready to execute
}

// clone is a copy of a parsed set with include and tpl bound to it, as
// Helm binds them to the template set of one render. A render takes one
// from the pool and gives it back: executing a template changes nothing in
// it but the include counters, which are zero again after a render.
type clone struct {
	t     *template.Template
	names map[string]int
}

func (p *parsed) get() (*clone, error) {
	if c, ok := p.clones.Get().(*clone); ok {
		return c, nil
	}
	t, err := p.tpl.Clone()
	if err != nil {
		return nil, err
	}
	c := &clone{t: t, names: make(map[string]int)}
	t.Funcs(template.FuncMap{
		"include": includeFun(t, c.names),
		"tpl":     tplFun(t, c.names, false),
	})
	return c, nil
}

func (p *parsed) put(c *clone) {
	clear(c.names)
	p.clones.Put(c)
}

// parsedCharts caches each chart's parsed templates while the chart lives.
var parsedCharts sync.Map // weak.Pointer[Chart] -> *parsed

// parsedFor returns the parsed templates of c, parsing them on first use,
// and again when the chart's templates changed since (a test may change a
// chart between renders).
func parsedFor(c *Chart, tpls map[string]renderable, keys []string) *parsed {
	key := weak.Make(c)
	if v, ok := parsedCharts.Load(key); ok {
		if p := v.(*parsed); p.parsedFrom(tpls) {
			return p
		}
	}
	p := &parsed{sources: make(map[string]string, len(tpls))}
	for name, r := range tpls {
		p.sources[name] = r.tpl
	}
	p.tpl, p.err = parse(tpls, keys)
	if _, loaded := parsedCharts.Swap(key, p); !loaded {
		runtime.AddCleanup(c, func(k weak.Pointer[Chart]) { parsedCharts.Delete(k) }, key)
	}
	return p
}

// parsedFrom tells whether p was parsed from exactly these templates.
func (p *parsed) parsedFrom(tpls map[string]renderable) bool {
	if len(tpls) != len(p.sources) {
		return false
	}
	for name, r := range tpls {
		if src, ok := p.sources[name]; !ok || src != r.tpl {
			return false
		}
	}
	return true
}

// parse is the parsing half of Helm's Engine.render.
func parse(tpls map[string]renderable, keys []string) (t *template.Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	t = template.New("gotpl")
	t.Option("missingkey=zero")
	initFunMap(t)
	for _, filename := range keys {
		if _, err := t.New(filename).Parse(tpls[filename].tpl); err != nil {
			return nil, cleanupParseError(filename, err)
		}
	}
	return t, nil
}

// renderTemplates is engine.Render(c, values) with c's templates parsed once.
func renderTemplates(c *Chart, values chartutil.Values) (rendered map[string]string, err error) {
	tpls := allTemplates(c, values)
	keys := sortTemplates(tpls)
	p := parsedFor(c, tpls, keys)
	if p.err != nil {
		return map[string]string{}, p.err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	cl, err := p.get()
	if err != nil {
		return map[string]string{}, err
	}
	t := cl.t
	rendered = make(map[string]string, len(keys))
	for _, filename := range keys {
		// Don't render partials.
		if strings.HasPrefix(path.Base(filename), "_") {
			continue
		}
		vals := tpls[filename].vals
		vals["Template"] = chartutil.Values{"Name": filename, "BasePath": tpls[filename].basePath}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, filename, vals); err != nil {
			p.put(cl)
			return map[string]string{}, cleanupExecError(filename, err)
		}
		// Go emits "<no value>" even with missingkey=zero.
		rendered[filename] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	p.put(cl)
	return rendered, nil
}

// --- Helm's engine.go -------------------------------------------------------

type renderable struct {
	tpl      string
	vals     chartutil.Values
	basePath string
}

const warnStartDelim = "HELM_ERR_START"
const warnEndDelim = "HELM_ERR_END"
const recursionMaxNums = 1000

var warnRegex = regexp.MustCompile(warnStartDelim + `((?s).*)` + warnEndDelim)

func warnWrap(warn string) string {
	return warnStartDelim + warn + warnEndDelim
}

func includeFun(t *template.Template, includedNames map[string]int) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		if v, ok := includedNames[name]; ok {
			if v > recursionMaxNums {
				return "", fmt.Errorf("rendering template has a nested reference name: %s: %w", name, errors.New("unable to execute template"))
			}
			includedNames[name]++
		} else {
			includedNames[name] = 1
		}
		err := t.ExecuteTemplate(&buf, name, data)
		includedNames[name]--
		return buf.String(), err
	}
}

func tplFun(parent *template.Template, includedNames map[string]int, strict bool) func(string, interface{}) (string, error) {
	return func(tpl string, vals interface{}) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		if strict {
			t.Option("missingkey=error")
		} else {
			t.Option("missingkey=zero")
		}
		t.Funcs(template.FuncMap{
			"include": includeFun(t, includedNames),
			"tpl":     tplFun(t, includedNames, strict),
		})
		t, err = t.New(parent.Name()).Parse(tpl)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", tpl, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", tpl, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

// initFunMap is Engine.initFunMap for the zero Engine (not strict, not
// linting, no client, no DNS).
func initFunMap(t *template.Template) {
	funcMap := funcMap()
	includedNames := make(map[string]int)
	funcMap["include"] = includeFun(t, includedNames)
	funcMap["tpl"] = tplFun(t, includedNames, false)
	funcMap["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warnWrap(warn))
		} else if _, ok := val.(string); ok {
			if val == "" {
				return val, errors.New(warnWrap(warn))
			}
		}
		return val, nil
	}
	funcMap["fail"] = func(msg string) (string, error) {
		return "", errors.New(warnWrap(msg))
	}
	funcMap["getHostByName"] = func(_ string) string {
		return ""
	}
	t.Funcs(funcMap)
}

func cleanupParseError(filename string, err error) error {
	tokens := strings.Split(err.Error(), ": ")
	if len(tokens) == 1 {
		return fmt.Errorf("parse error in (%s): %s", filename, err)
	}
	location := tokens[1]
	errMsg := tokens[len(tokens)-1]
	return fmt.Errorf("parse error at (%s): %s", string(location), errMsg)
}

func cleanupExecError(filename string, err error) error {
	if _, isExecError := err.(template.ExecError); !isExecError {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %s", filename, err)
	}
	location := tokens[1]
	parts := warnRegex.FindStringSubmatch(tokens[2])
	if len(parts) >= 2 {
		return fmt.Errorf("execution error at (%s): %s", string(location), parts[1])
	}
	return err
}

func sortTemplates(tpls map[string]renderable) []string {
	keys := make([]string, len(tpls))
	i := 0
	for key := range tpls {
		keys[i] = key
		i++
	}
	sort.Sort(sort.Reverse(byPathLen(keys)))
	return keys
}

type byPathLen []string

func (p byPathLen) Len() int      { return len(p) }
func (p byPathLen) Swap(i, j int) { p[j], p[i] = p[i], p[j] }
func (p byPathLen) Less(i, j int) bool {
	a, b := p[i], p[j]
	ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
	if ca == cb {
		return strings.Compare(a, b) == -1
	}
	return ca < cb
}

func allTemplates(c *Chart, vals chartutil.Values) map[string]renderable {
	templates := make(map[string]renderable)
	recAllTpls(c, templates, vals)
	return templates
}

func recAllTpls(c *Chart, templates map[string]renderable, vals chartutil.Values) map[string]interface{} {
	subCharts := make(map[string]interface{})
	chartMetaData := struct {
		helmchart.Metadata
		IsRoot bool
	}{*c.Metadata, c.IsRoot()}

	next := map[string]interface{}{
		"Chart":        chartMetaData,
		"Files":        newFiles(c.Files),
		"Release":      vals["Release"],
		"Capabilities": vals["Capabilities"],
		"Values":       make(chartutil.Values),
		"Subcharts":    subCharts,
	}
	if c.IsRoot() {
		next["Values"] = vals["Values"]
	} else if vs, err := vals.Table("Values." + c.Name()); err == nil {
		next["Values"] = vs
	}
	for _, child := range c.Dependencies() {
		subCharts[child.Name()] = recAllTpls(child, templates, next)
	}
	newParentID := c.ChartFullPath()
	for _, t := range c.Templates {
		if t == nil {
			continue
		}
		if !isTemplateValid(c, t.Name) {
			continue
		}
		templates[path.Join(newParentID, t.Name)] = renderable{
			tpl:      string(t.Data),
			vals:     next,
			basePath: path.Join(newParentID, "templates"),
		}
	}
	return next
}

func isTemplateValid(ch *Chart, templateName string) bool {
	if strings.EqualFold(ch.Metadata.Type, "library") {
		return strings.HasPrefix(filepath.Base(templateName), "_")
	}
	return true
}

// --- Helm's funcs.go --------------------------------------------------------

func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toToml":        toTOML,
		"fromToml":      fromTOML,
		"toYaml":        toYAML,
		"toYamlPretty":  toYAMLPretty,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"include":       func(string, interface{}) string { return "not implemented" },
		"tpl":           func(string, interface{}) interface{} { return "not implemented" },
		"required":      func(string, interface{}) (interface{}, error) { return "not implemented", nil },
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func toYAMLPretty(v interface{}) string {
	var data bytes.Buffer
	encoder := goYaml.NewEncoder(&data)
	encoder.SetIndent(2)
	err := encoder.Encode(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(data.String(), "\n")
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(str string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toTOML(v interface{}) string {
	b := bytes.NewBuffer(nil)
	e := toml.NewEncoder(b)
	err := e.Encode(v)
	if err != nil {
		return err.Error()
	}
	return b.String()
}

func fromTOML(str string) map[string]interface{} {
	m := make(map[string]interface{})
	if err := toml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func fromJSON(str string) map[string]interface{} {
	m := make(map[string]interface{})
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(str string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// --- Helm's files.go --------------------------------------------------------

type files map[string][]byte

func newFiles(from []*helmchart.File) files {
	files := make(map[string][]byte)
	for _, f := range from {
		files[f.Name] = f.Data
	}
	return files
}

func (f files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	return []byte{}
}

func (f files) Get(name string) string {
	return string(f.GetBytes(name))
}

func (f files) Glob(pattern string) files {
	g, err := glob.Compile(pattern, '/')
	if err != nil {
		g, _ = glob.Compile("**")
	}
	nf := newFiles(nil)
	for name, contents := range f {
		if g.Match(name) {
			nf[name] = contents
		}
	}
	return nf
}

func (f files) AsConfig() string {
	if f == nil {
		return ""
	}
	m := make(map[string]string)
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m)
}

func (f files) AsSecrets() string {
	if f == nil {
		return ""
	}
	m := make(map[string]string)
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m)
}

func (f files) Lines(path string) []string {
	if f == nil || len(f[path]) == 0 {
		return []string{}
	}
	s := string(f[path])
	if s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return strings.Split(s, "\n")
}
