import os

os.environ.setdefault("HOIDAP_EMBEDDER", "none")  # tests that need vectors ask for them explicitly
