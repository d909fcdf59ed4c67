"""Safety: the one sanitiser, de-identification and crisis checks, exit, client-key hashing."""
