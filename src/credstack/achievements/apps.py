from django.apps import AppConfig


class AchievementsConfig(AppConfig):
    name = "credstack.achievements"
    label = "achievements"
