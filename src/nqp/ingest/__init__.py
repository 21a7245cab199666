"""nqp.ingest"""
