# krm-flink as a container KRM function:
#   kpt fn eval --image krm-flink:dev --fn-config platform.yaml
# or a Kptfile pipeline entry `image: krm-flink:dev`.
# The charts are embedded in the binary, so it needs no network and no mounts.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/krm-flink/krm-flink/fn/cli.Version=${VERSION}" \
      -o /out/krm-flink ./cmd/krm-flink

# distroless/static: no shell, no package manager, CA certificates for
# pulling charts when the CLI is asked to; runs as uid 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/krm-flink /usr/local/bin/krm-flink
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/krm-flink"]
