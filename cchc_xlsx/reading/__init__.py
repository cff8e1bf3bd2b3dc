"""Reading returns: the file guard, normalisation of numbers and text, the keyed reader."""
