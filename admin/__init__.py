"""What bank staff use to configure Teller: for now the admin JSON API (``api``) for MFA
scenarios and the MFA configuration under ``/admin/api/v1``. The staff console (pages, staff
accounts and roles) is to join it here.
"""
