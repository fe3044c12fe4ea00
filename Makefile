# Two commands on a fresh machine with Python 3.11:  make demo   and   make test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo-output

.PHONY: demo test lint unit browser bench fuzz clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found (set PYTHON=/path/to/python3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/csc synth --out $(DEMO) --la 383 --from 2024/25 --to 2025/26 --children 1000 --seed 1
	$(BIN)/csc synth --out $(DEMO)/with-errors --la 383 --from 2025/26 --to 2025/26 --children 1000 --seed 1 --inject 10
	$(BIN)/csc inspect $(DEMO)/383 --json > $(DEMO)/inspect.json
	$(BIN)/csc inspect $(DEMO)/383/2025_26 $(DEMO)/383/annex_a_2025_26.xlsx
	$(BIN)/csc validate 903 $(DEMO)/383/2025_26/ssda903 --previous $(DEMO)/383/2024_25/ssda903 --la 383 \
		--providers $(DEMO)/383/ofsted_providers.xlsx -o $(DEMO)/validation/clean.xlsx -o $(DEMO)/validation/clean.html
	$(BIN)/csc validate 903 $(DEMO)/with-errors/383/2025_26/ssda903 --la 383 \
		-o $(DEMO)/validation/with-errors.xlsx -o $(DEMO)/validation/with-errors.html \
		-o $(DEMO)/validation/with-errors.csv || test $$? -eq 1
	$(BIN)/csc validate cin $(DEMO)/383/2025_26/cin_census_2025_26.xml --la 383 \
		-o $(DEMO)/validation/cin-clean.xlsx -o $(DEMO)/validation/cin-clean.html
	$(BIN)/csc validate cin $(DEMO)/with-errors/383/2025_26/cin_census_2025_26.xml --la 383 \
		-o $(DEMO)/validation/cin-with-errors.xlsx -o $(DEMO)/validation/cin-with-errors.html || test $$? -eq 1
	$(BIN)/csc forecast $(DEMO)/383/2024_25/ssda903 $(DEMO)/383/2025_26/ssda903 --la 383 -o $(DEMO)/forecast.html -o $(DEMO)/forecast.xlsx -o $(DEMO)/forecast.csv
	$(BIN)/csc packs check packs/examples/placement-checks
	$(BIN)/csc validate 903 $(DEMO)/383/2025_26/ssda903 --previous $(DEMO)/383/2024_25/ssda903 --la 383 \
		--pack packs/examples/placement-checks -o $(DEMO)/validation/with-pack.html || test $$? -eq 1
	$(BIN)/csc indicators $(DEMO)/383/2025_26/ssda903 $(DEMO)/383/2025_26/cin_census_2025_26.xml $(DEMO)/383/annex_a_2025_26.xlsx \
		--la 383 --previous $(DEMO)/383/2024_25/ssda903 -o $(DEMO)/indicators/dashboard.html -o $(DEMO)/indicators/indicators.xlsx
	rm -rf $(DEMO)/hub && $(BIN)/csc synth --out $(DEMO)/hub/in --la 383 --la 384 --from 2025/26 --to 2025/26 --children 300 --format csv --no-annex-a && $(BIN)/csc share keygen -o $(DEMO)/hub/hub.key && $(BIN)/csc share pseudonymise $(DEMO)/hub/in/383 --policy regional --key-file $(DEMO)/hub/hub.key -o $(DEMO)/hub/shared-383 && $(BIN)/csc store add $(DEMO)/hub/hub.duckdb $(DEMO)/hub/in && $(BIN)/csc store publish $(DEMO)/hub/hub.duckdb --policy regional --key-file $(DEMO)/hub/hub.key -o $(DEMO)/hub/published
	@echo ""
	@echo "Synthetic returns (Leeds, 2024/25 and 2025/26):  $(DEMO)/383/"
	@echo "  SSDA903 CSV tables:   $(DEMO)/383/2025_26/ssda903/"
	@echo "  SSDA903 XML:          $(DEMO)/383/2025_26/ssda903_2025_26.xml"
	@echo "  CIN census XML:       $(DEMO)/383/2025_26/cin_census_2025_26.xml"
	@echo "  Annex A workbook:     $(DEMO)/383/annex_a_2025_26.xlsx"
	@echo "A return with injected errors:  $(DEMO)/with-errors/ (what each error is: injections.csv)"
	@echo "What csc inspect found, as JSON: $(DEMO)/inspect.json"
	@echo "Validation reports (clean return, and the one with injected errors): $(DEMO)/validation/"
	@echo "  (the clean return raises only queries 1001 and 1002: the DfE notes they flag care leavers whose earlier care is not in the two years loaded)"
	@echo "Forecast (demand and cost, 18 months): $(DEMO)/forecast.html, .xlsx, .csv"
	@echo "With the example pack of local SQL rules (docs/packs.md): $(DEMO)/validation/with-pack.html"
	@echo "Indicators against England, region and neighbours: $(DEMO)/indicators/"
	@echo "A regional hub (two authorities pseudonymised, stored, published): $(DEMO)/hub/ (docs/share.md)"
	@echo "The web page (drop those files on it): $(BIN)/csc serve"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

browser:
	bash scripts/install_browser.sh
	bash scripts/install_axe.sh

test: browser lint unit

bench: $(STAMP)
	$(BIN)/python bench/bench_read.py --children 50000

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz_readers.py --inputs 100000

clean:
	rm -rf $(VENV) $(DEMO) bench/_data
