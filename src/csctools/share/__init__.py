"""Safe sharing: policies, keyed pseudonyms, date and postcode coarsening, leak checks."""
