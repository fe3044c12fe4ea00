"""Reference data shipped with csctools (authorities, postcodes near each authority)."""
