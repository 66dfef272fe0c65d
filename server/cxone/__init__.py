"""The only code that speaks CXone's DFO 3.0 API and Event Hub. No Flask imports."""
