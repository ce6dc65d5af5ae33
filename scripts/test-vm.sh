#!/usr/bin/env bash
# Runs the tests that need a kernel feature this machine's kernel may lack (today: user quotas,
# which need a quota format) in a virtual machine that boots Debian 12's own kernel, the one a
# JoPanel server runs. The VM (virtme-ng on QEMU) sees this machine's files read-only and runs
# the tests in a sandbox of its own, as `make test` does on the host; nothing here changes.
#
#   scripts/test-vm.sh [PYTEST ARG...]      (default: the modules listed below)
#
# QEMU emulates the CPU (no KVM: nested virtualisation is not dependable on CI machines), so the
# boot takes about 15 s and the tests run a few times slower than on the host.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
modules=(
  tests/agent/accounts/test_disk_quota.py tests/agent/server/test_server_status.py tests/e2e/test_disk_quota_e2e.py
  tests/install/test_quotas_vm.py
  tests/agent/backups/test_backups_hostile.py::test_a_file_larger_than_the_quota_left_stops_within_the_quota
  tests/agent/files/test_files_hostile.py::test_a_10_gb_sparse_member_stops_at_the_quota
  tests/agent/accounts/test_private_tmp.py::test_what_an_account_leaves_in_its_tmp_counts_against_its_disk_quota
)

if [ "${1:-}" = --inside ]; then
  shift
  # The VM's root is this machine's, read-only: the sandbox's run directory goes on a tmpfs.
  mount -t tmpfs -o size=2g jopanel-vm /mnt
  export PYTHONDONTWRITEBYTECODE=1
  # Services start many times slower on an emulated CPU shared with whatever else the machine
  # runs: the readiness deadline (a guard against a hang, not a measure) is ten minutes here.
  export JOPANEL_READY_SECONDS=600
  # The same for the agent's program timeouts (30 s by default: nginx -t of a first PHP site
  # took longer here) and the gateway's deadline on agent calls, which must outlast them.
  export JOPANEL_AGENT_TIMEOUT=600 JOPANEL_AGENT_CALL_SECONDS=900
  # What the emulated CPU need not run: the ACME worker (no test here orders a certificate), and
  # pytest's plugins other than pytest-asyncio (schemathesis' alone takes about half a minute
  # to import here, for tests that use none).
  export JOPANEL_ACME_WORKER=0 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
  exec scripts/sandbox.sh /mnt/run .venv/bin/pytest -p pytest_asyncio.plugin -p no:cacheprovider \
    -q "$@"
fi

scripts/bootstrap.sh --machines
kernel=$(ls -v /boot/vmlinuz-*-amd64 2>/dev/null | tail -n 1)
[ -n "$kernel" ] || { echo "test-vm: Debian's kernel is not in /boot" >&2; exit 1; }
[ $# -gt 0 ] || set -- "${modules[@]}"
echo "test-vm: $* under $(basename "$kernel")"
# vng starts its helpers (virtme-run) by name.
export PATH="$top/.venv/bin:$PATH"
# Through a pipe: QEMU reopens /proc/self/fd/1 and 2, which would truncate a log file that
# holds what `make test` printed before.
vng --run "$kernel" --user root --disable-kvm --cpus 2 --memory 3G \
  --exec "scripts/test-vm.sh --inside $*" 2>&1 | cat
