"""The churn classifier and the spend regressor: fitted on a time-based holdout, persisted, loaded.

Both are scikit-learn histogram gradient-boosted trees on the RFM and rhythm features
(`features.FEATURES`); docs/insights-measures.md says why. Features are taken as of a
cutoff a year back, the labels from the year after it: churn is "no order in the
`CHURN_HORIZON_DAYS` after the cutoff", spend the net amount in the 365 days after it.
One customer in five (by id) is held out and the quality figures are theirs, next to
the naive baselines (days since the last order for churn, the last 12 months' spend
for spend).

scikit-learn, NumPy and joblib are imported when a model is fitted, loaded or used, not with
this module: a web process that never scores (most never do) spares their memory and the
garbage collector their hundred thousand objects.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clienteling.models import Customer, MeasuresModel

from . import rfm
from .features import FEATURES, features_of
from .history import orders_of

CHURN_HORIZON_DAYS = 180
SPEND_HORIZON_DAYS = 365
HOLDOUT_EVERY = 5  # customers whose id is a multiple of 5 are the holdout
MIN_ROWS = 50

if TYPE_CHECKING:
    import numpy as np


class NotEnoughHistory(Exception):
    """Too few customers with orders before the cutoff (or too few of either label) to fit."""


@dataclass
class Fitted:
    churn: Any  # sklearn's HistGradientBoostingClassifier
    spend: Any  # and HistGradientBoostingRegressor


def _training_rows(*, cutoff: int, chunk_size: int, max_customers: int):
    """Features as of `cutoff`, labels from after it, ids; customers read in keyset chunks."""
    import numpy as np
    rows, churned, spent, ids = [], [], [], []
    recency, frequency, monetary = [], [], []
    after = 0
    while len(ids) < max_customers:
        chunk = list(Customer.objects.filter(pk__gt=after).order_by("pk")
                     .values_list("pk", flat=True)[:chunk_size])
        if not chunk:
            break
        after = chunk[-1]
        for pk, orders in orders_of(chunk).items():
            now = features_of(orders, cutoff + SPEND_HORIZON_DAYS)
            if now is not None:  # today's population, for the RFM edges
                recency.append(now[0])
                frequency.append(now[1])
                monetary.append(now[2])
            row = features_of(orders, cutoff)
            if row is None:
                continue
            later = [(d, a) for d, a in zip(orders.days, orders.amounts, strict=True) if d >= cutoff]
            rows.append(row)
            churned.append(not any(d < cutoff + CHURN_HORIZON_DAYS for d, _a in later))
            spent.append(sum(a for d, a in later if d < cutoff + SPEND_HORIZON_DAYS))
            ids.append(pk)
    edges = rfm.edges_from(recency, frequency, monetary)
    return (np.array(rows, dtype=float).reshape(-1, len(FEATURES)), np.array(churned, dtype=int),
            np.array(spent, dtype=float), np.array(ids), edges)


def fit(*, today_ordinal: int, chunk_size: int = 5000, max_customers: int = 300_000) -> dict:
    """Fit both models; return the fitted pair, the quality figures and the RFM edges."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, mean_absolute_error, roc_auc_score

    cutoff = today_ordinal - SPEND_HORIZON_DAYS
    x, churned, spent, ids, edges = _training_rows(cutoff=cutoff, chunk_size=chunk_size,
                                                   max_customers=max_customers)
    test = ids % HOLDOUT_EVERY == 0
    train = ~test
    if train.sum() < MIN_ROWS or test.sum() < MIN_ROWS or len(set(churned[train])) < 2 \
            or len(set(churned[test])) < 2:
        raise NotEnoughHistory(f"{len(ids)} customers with orders before the cutoff")
    churn = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.06, max_leaf_nodes=15,
                                           l2_regularization=1.0, random_state=0)
    churn.fit(x[train], churned[train])
    # Absolute error: the figure judged is the MAE, and its best constant is the median.
    spend = HistGradientBoostingRegressor(loss="absolute_error", max_iter=200, learning_rate=0.06,
                                          max_leaf_nodes=15, random_state=0)
    spend.fit(x[train], spent[train])

    recency = x[:, FEATURES.index("recency_days")].reshape(-1, 1)
    naive = LogisticRegression().fit(recency[train], churned[train])
    p_model = churn.predict_proba(x[test])[:, 1]
    p_naive = naive.predict_proba(recency[test])[:, 1]
    last_12 = x[test][:, FEATURES.index("spend_12mo")]
    quality = {
        "train_rows": int(train.sum()), "test_rows": int(test.sum()),
        "churn_rate": round(float(churned[test].mean()), 4),
        "churn_auc": round(float(roc_auc_score(churned[test], p_model)), 4),
        "churn_auc_baseline": round(float(roc_auc_score(churned[test], recency[test][:, 0])), 4),
        "churn_log_loss": round(float(log_loss(churned[test], p_model)), 4),
        "churn_log_loss_baseline": round(float(log_loss(churned[test], p_naive)), 4),
        "spend_mae": round(float(mean_absolute_error(spent[test], np.maximum(spend.predict(x[test]), 0))), 2),
        "spend_mae_baseline": round(float(mean_absolute_error(spent[test], last_12)), 2),
    }
    return {"fitted": Fitted(churn=churn, spend=spend), "quality": quality, "edges": edges,
            "cutoff": cutoff, "rows": int(len(ids))}


def dumps(fitted: Fitted) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump({"churn": fitted.churn, "spend": fitted.spend}, buffer)
    return buffer.getvalue()


_loaded: dict[int, tuple[Fitted, dict]] = {}
_lock = threading.Lock()


def latest() -> tuple[Fitted, dict] | None:
    """The newest persisted model and its RFM edges: one indexed query, unpickled once per process."""
    row = MeasuresModel.objects.order_by("-fitted_at", "-id").values_list("pk", "features").first()
    if row is None:
        return None
    pk, features = row
    if pk not in _loaded:
        with _lock:
            if pk not in _loaded:
                import joblib

                stored = MeasuresModel.objects.get(pk=pk)
                parts = joblib.load(io.BytesIO(bytes(stored.payload)))
                if list(features) != FEATURES:
                    return None  # fitted on other features: wait for the next fit
                _loaded.clear()
                _loaded[pk] = (Fitted(churn=parts["churn"], spend=parts["spend"]),
                               stored.quality.get("rfm_edges") or rfm.DEFAULT_EDGES)
    return _loaded[pk]


_one_thread = None


def predict(fitted: Fitted, rows: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Churn probabilities and predicted 12-month spend for a batch of feature rows.

    Scored on one thread: OpenMP's threads cost more to wake and join, per tree, than the
    rows take (5,000 rows: 0.1 s on one thread, 1.4 s on two on a busy machine), and the
    refresh runs beside the web and the other workers anyway.
    """
    import numpy as np
    from threadpoolctl import ThreadpoolController

    global _one_thread
    x = np.array(rows, dtype=float).reshape(-1, len(FEATURES))
    if _one_thread is None:
        _one_thread = ThreadpoolController()
    with _one_thread.limit(limits=1, user_api="openmp"):
        return fitted.churn.predict_proba(x)[:, 1], np.maximum(fitted.spend.predict(x), 0)
