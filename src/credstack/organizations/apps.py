from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "credstack.organizations"
    label = "organizations"
