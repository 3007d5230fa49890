"""Receipts and statements as bytes: the model, reportlab rendering, pypdf AES-256 protection
and verification codes. No Flask, Redis or RQ here: ``workers/`` feeds it and delivers its bytes.
"""
