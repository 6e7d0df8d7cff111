#!/usr/bin/env bash
# The Tomcat 10.1 distribution's HelloWorld servlet, bare against the agent, as issue 15 words it:
# kept for the commands quoted in bench/README.md; bench/e2e/agent-vs-bare.sh does the work.
# Usage: bash bench/e2e/tomcat-dist.sh [rounds, default 4] [seconds, default 8] [warm-up s, default 10] [connections, default 16]
exec bash "$(dirname "$0")/agent-vs-bare.sh" hello "$@"
