"""Code the tests share, a module per kind: settings, accounts, the API, works made
through a studio, billing's Stripe stand-in, pages in a browser, the `atelier` command,
pictures and tunes, a tiny diffusion model, engines for tests, client data sets and
servers in subprocesses. Test modules import from here, never from one another."""
