"""The inbox: submission history by content hash (collect, status)."""
