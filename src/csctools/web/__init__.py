"""The local web page (`csc serve`): drop files, validate, browse errors, download reports, all on this machine."""
