"""The dialogue engine: flows and conditions as data, typed answers, sessions and turns (pure: no
files, no clock).
"""
