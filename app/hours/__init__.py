"""Attendance -> hour ledger, licensure targets and board rules.

Pure functions on plain values (no database, no Qt): ``categories`` maps a group kind and
a member's role to an hour category, ``requirements`` loads requirement sets (TOML data
files), ``ledger`` holds the ledger's plain entries and exports, ``checks`` counts hours
under a set's rules and reports progress and broken rules. app/services/hours.py reads the
database and feeds these.
"""
