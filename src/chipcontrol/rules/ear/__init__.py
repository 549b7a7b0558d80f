"""EAR rule modules (classification under ECCN 3A090/4A090, licence determination)."""
