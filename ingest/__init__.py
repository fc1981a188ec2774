"""Sources → parsed elements → chunks → index writes."""
