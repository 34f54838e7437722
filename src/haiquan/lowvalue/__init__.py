"""Low-value goods (MIC/MEC): express companies' and the post's manifests lodged in bulk, on a path of their own."""
