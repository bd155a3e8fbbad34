"""The articles newsbot ships, read into a new store when it is created (or by `newsbot init`)."""
