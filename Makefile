# JoPanel: the two commands are `make run` and `make test` (see README.md).
.PHONY: run test test-fast test-vm test-install install bench proto lint webui fuzz chaos clean

run:            ## install what is missing, build the SPA, start the sandboxed stack
	scripts/run.sh

test:           ## everything (checks, web UI, agent, gateway, end to end, installer, VM), in three lanes side by side
	scripts/test.sh

install:        ## install or upgrade JoPanel on this Debian 12 server (PANEL_HOST=, ADMIN_EMAIL= the first time)
	scripts/install.sh $(if $(PANEL_HOST),--hostname $(PANEL_HOST)) $(if $(ADMIN_EMAIL),--admin-email $(ADMIN_EMAIL))

test-install:   ## the installer on a booted Debian 12 (systemd-nspawn): install, HTTPS, sign-in, upgrade
	scripts/test-install.sh

test-vm:        ## the tests that need Debian's kernel (disk quotas), in a QEMU virtual machine
	scripts/test-vm.sh

test-fast:      ## the suite without the slow tests (nor the checks, the installer, the VM), for while you work
	scripts/test.sh -m "not slow"

bench:          ## the benchmark tables (throughput, latency, memory)
	scripts/bench.sh

proto:          ## regenerate the gRPC code in gen/ from protos/
	scripts/proto.sh

lint:           ## generated code up to date (gen/, the web UI's API types), buf lint and breaking, ruff, mypy --strict
	scripts/lint.sh

webui:          ## build the SPA into webui/dist
	scripts/webui.sh build

clean:          ## forget the `make run` sandbox (its accounts, databases and logs)
	rm -rf .run

fuzz:           ## a longer schemathesis run (5 minutes per role) against the sandboxed stack
	JOPANEL_FUZZ_SECONDS=300 scripts/test.sh tests/e2e/test_fuzz.py

chaos:          ## the crash test: 1,000 writes, 50 SIGKILLs of agent, gateway and MariaDB; prints its table
	JOPANEL_CHAOS_WRITES=1000 JOPANEL_CHAOS_KILLS=50 scripts/test.sh -s tests/e2e/test_chaos.py
