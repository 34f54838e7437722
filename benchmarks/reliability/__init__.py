"""`make reliability`: the reliability campaign of issue #25, on one machine, loopback only (docs/reliability.md)."""
