"""Care rules: the activity plan, its set-up, and what an episode's earlier screens mean for the
next check-in.
"""
