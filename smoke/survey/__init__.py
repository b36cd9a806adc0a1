"""Reading a target without a browser: what wikis and ORES configuration it offers."""
