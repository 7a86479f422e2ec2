"""Accounts: sign-up and sign-in with a password (``auth``: users and login sessions), which
passwords we accept (``passwords``), slowing guessing down (``throttle``), and sign-in through
Google and GitHub (``oauth``). The HTTP routes (api/auth_routes.py) and the sign-in, sign-up
and profile pages' state (state/auth.py, state/profile.py) call these."""
