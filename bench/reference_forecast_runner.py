"""Run the published Children's Social Care Demand Model (cs-demand-model 0.5.1) as its web version does.

Runs in a separate environment that has cs-demand-model installed (never a project dependency):
    /path/to/ref-venv/bin/python bench/reference_forecast_runner.py INPUT_DIR STEP_DAYS OUT_PREFIX
INPUT_DIR holds one folder per collection year named by its end year (2027/header.csv, 2027/episodes.csv, ...).
Writes OUT_PREFIX-population.csv (date, age_band, placement, population; step 0 is the starting population, dated
the forecast start) and OUT_PREFIX-costs.csv (date, placement, cost_per_day: the web version's cost chart), and
prints {"compute": s, "wall": s} (compute: load, fit and predict; wall: the whole process from its start).
"""

import json
import math
import sys
import time
from datetime import timedelta

START = time.perf_counter()


def main() -> None:
    source, step_days, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    import pandas as pd
    from cs_demand_model import Config, DemandModellingDataContainer, ModelPredictor, PopulationStats, fs_datastore
    from dateutil.relativedelta import relativedelta

    began = time.perf_counter()
    config = Config()
    container = DemandModellingDataContainer(fs_datastore(source), config)
    stats = PopulationStats(container.enriched_view, config)
    # The web version's defaults (rpc/state.py, date_defaults and steps).
    end_date = stats.stock.index.max().date()
    start_date = end_date - relativedelta(years=1)
    prediction_start = end_date + timedelta(days=1)
    prediction_end = end_date + relativedelta(months=18)
    steps = math.ceil((prediction_end - end_date).days / step_days)
    predictor = ModelPredictor.from_model(stats, start_date, end_date, prediction_start)
    predicted = predictor.predict(steps, step_days)
    compute = time.perf_counter() - began

    rows = []
    steps_by_day = [(prediction_start, predictor.initial_population), *list(predicted.fillna(0).iterrows())]
    for day, values in steps_by_day:
        for state, value in values.items():
            band, placement = state
            if placement != "NOT_IN_CARE":
                rows.append((pd.Timestamp(day).date().isoformat(), band, placement, float(value)))
    table = pd.DataFrame(rows, columns=["date", "age_band", "placement", "population"])
    # States the model never had (e.g. no child ever in it) are zero.
    bands = ["BIRTH_TO_ONE", "ONE_TO_FIVE", "FIVE_TO_TEN", "TEN_TO_SIXTEEN", "SIXTEEN_TO_EIGHTEEN"]
    grid = pd.MultiIndex.from_product(
        [table["date"].unique(), bands, ["FOSTERING", "RESIDENTIAL", "SUPPORTED", "OTHER"]],
        names=["date", "age_band", "placement"],
    )
    table = table.set_index(["date", "age_band", "placement"]).reindex(grid, fill_value=0.0).reset_index()
    table.to_csv(f"{prefix}-population.csv", index=False)
    # Costs as the web version's chart draws them: children by category x weighted unit cost / 7.
    weights: dict[object, float] = {}
    for item in config.costs:
        weights[item.category] = weights.get(item.category, 0) + item.defaults.proportion
    unit: dict[str, float] = {}
    for item in config.costs:
        share = item.defaults.cost_per_day * item.defaults.proportion / weights[item.category]
        unit[item.category.name] = unit.get(item.category.name, 0) + share
    population = pd.read_csv(f"{prefix}-population.csv")
    by_type = population.groupby(["date", "placement"], as_index=False)["population"].sum()
    by_type["cost_per_day"] = by_type["population"] * by_type["placement"].map(unit) / 7
    by_type[["date", "placement", "cost_per_day"]].to_csv(f"{prefix}-costs.csv", index=False)
    print(json.dumps({"compute": compute, "wall": time.perf_counter() - START}))


if __name__ == "__main__":
    main()
