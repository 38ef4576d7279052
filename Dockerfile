# syntax=docker/dockerfile:1
# Build: cgo is needed for mattn/go-sqlite3.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/trackbot .

# Run: a small Debian image (glibc for the cgo binary, CA certificates for the
# carrier APIs and Telegram), as a non-root user, with the database on a volume.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin trackbot \
 && mkdir -p /data && chown trackbot:trackbot /data
COPY --from=build /out/trackbot /usr/local/bin/trackbot
USER trackbot
WORKDIR /data
ENV TRACKBOT_DB=/data/trackbot.db \
    TRACKBOT_HTTP_LISTEN=:8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["trackbot", "healthcheck"]
ENTRYPOINT ["trackbot"]
CMD ["run"]
