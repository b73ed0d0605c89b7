# imgverify's container image: build with the full toolchain, run on a distroless Node.js base as
# a non-root user (65532) with only the compiled program and its production dependencies.
#   docker build -t imgverify:0.1.0 .
#   docker run --rm -p 9443:9443 -v $PWD/examples/serve:/config:ro imgverify:0.1.0 serve --config-dir /config --reviewKyvernoToken=false
ARG NODE_BUILD_IMAGE=node:20-bookworm-slim
ARG NODE_RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    NOTATION_DIR=/notation
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY bin ./bin
USER 65532:65532
# HTTPS API (9080 with --notls), metrics, health probes.
EXPOSE 9443 8080 8081
ENTRYPOINT ["/nodejs/bin/node", "/app/bin/imgverify.js"]
CMD ["serve"]
