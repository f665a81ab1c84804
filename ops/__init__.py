"""Operations: health and readiness checks, metrics, doctor and the sweeps runnable by hand."""
