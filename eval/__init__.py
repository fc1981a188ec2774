"""Datasets, metrics and reports. Run: python -m eval --help"""
