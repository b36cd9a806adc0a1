"""`smoke watch`: one plan repeated through a deploy window by persistent workers."""
