"""Choosing r and penalties: rank selection over restarts (:mod:`.rank_selection`), L1/L2
penalties (:mod:`.penalties`) and the cost of NMF against n, k and r (:mod:`.cost`)."""
