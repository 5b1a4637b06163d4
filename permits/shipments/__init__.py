"""shipments"""
