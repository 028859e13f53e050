"""Native (mypyc-compiled) copies of the detector's rule modules, built at install time
when a C compiler and the Python headers are available. Nothing in here is edited by
hand: the ``.py`` sources in ``app/deid`` are the truth (see ``app/deid/_digest.py``)."""
