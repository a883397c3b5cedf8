from django.apps import AppConfig

from credstack.ui.nav import register


class CoursesConfig(AppConfig):
    name = "credstack.courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        register("Courses", "courses:list", role="viewer", order=35)
        register("Pathways", "pathways:list", role="viewer", order=37)
