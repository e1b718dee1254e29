# Drop-in replacements for the old backup targets, plus build/test/bench/demo.
# Variables as before: BACKUP_DIR, BACKUP_PREFIX, REWRITE_URLS, REWRITE_FROM, REWRITE_TO.
BUILD_DIR ?= build
BIN := $(BUILD_DIR)/crmbackup-native
JOBS ?= $(shell nproc)

.PHONY: deps build test demo bench bench-smoke fuzz backup-database list-backups restore-database clean

deps:
	@scripts/install-deps.sh

$(BIN): deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target crmbackup-native >/dev/null

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD_DIR) -j$(JOBS)

# The README's test command: builds everything, runs every test (also under ASan+UBSan).
test:
	scripts/test.sh

# The README's main job on the embedded default: a throw-away database and storage server
# seeded with CRM data, a real backup, then the list.
demo:
	scripts/demo.sh

# CRMBACKUP_MAKE_TARGET tells the tool it runs as a make target, so its messages suggest make
# targets and BACKUP_DIR (run directly, they name the commands and flags).
backup-database: $(BIN)
	@CRMBACKUP_MAKE_TARGET=backup-database $(BIN) backup

list-backups: $(BIN)
	@CRMBACKUP_MAKE_TARGET=list-backups $(BIN) list

restore-database: $(BIN)
	@test -n "$(BACKUP_PREFIX)" || { echo "error: BACKUP_PREFIX is required, e.g. make restore-database BACKUP_PREFIX=backup-2024-01-15-143022"; exit 2; }
	@CRMBACKUP_MAKE_TARGET=restore-database $(BIN) restore "$(BACKUP_PREFIX)" \
	  $(if $(filter true 1 yes,$(REWRITE_URLS)),--rewrite-from "$(REWRITE_FROM)" --rewrite-to "$(REWRITE_TO)")

# libFuzzer targets (clang, build-fuzz/): 5 minutes each; FUZZ_SECONDS=N to change.
fuzz:
	scripts/fuzz.sh

bench:
	bench/run.sh $(if $(SIZE),--size $(SIZE))

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz

bench-smoke:
	bench/smoke.sh
