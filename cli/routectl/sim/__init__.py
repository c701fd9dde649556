"""Prediction: a reply model learned from a log, and one simulation core (P4-P12).

- :mod:`.hist`: log-spaced histograms and quantile tables (what a delay distribution is).
- :mod:`.learn`: one streaming pass over a replayed log -> :class:`.learn.Evidence`.
- :mod:`.model`: :class:`.model.ReplyModel`, fitted from evidence, saved as JSON.
- :mod:`.inputs`: the log's arrivals, presence and silent orders, spilled to disk once.
- :mod:`.core`: :class:`.core.Simulation`: inputs + model + config + seed -> events
  through the real engine.
- :mod:`.predict`: runs, intervals and the figures ``diff --predict`` and ``backtest``
  print.
- :mod:`.plan` (with :mod:`.staffing`, :mod:`.planlog`, :mod:`.rota`): ``routectl plan``,
  the least agents each hour for a target, and a rota covering them.
"""
