"""Customer measures computed from purchase history (docs/insights-measures.md).

`history` reads a batch of customers' orders in one grouped query, `features` turns
them into the model's inputs as of a day, `rfm` scores and segments them, `model` fits
and persists the churn classifier and the spend regressor and scores with them.
"""
