"""Batch evaluation of shipment files: vectorised (Polars), per shipment (reference) or on Apache Spark.

- :mod:`chipcontrol.batch.evaluate` — the evaluator (distinct decision keys, real engine, joined back).
- :mod:`chipcontrol.batch.runner` — resumable chunked runs, output files, audit record.
- :mod:`chipcontrol.batch.reader` — CSV/Parquet input; :mod:`chipcontrol.batch.generate` — synthetic files.
- :mod:`chipcontrol.batch.spark` — the same evaluation through ``mapInArrow`` (extra ``chipcontrol[spark]``).

See docs/batch.md.
"""
