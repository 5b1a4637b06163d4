"""permitting"""
