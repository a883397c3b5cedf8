from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "credstack.courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        try:
            from credstack.workspace.nav import register
        except ImportError:  # the workspace is optional
            return
        register("Courses", "courses:list", role="viewer", order=35)
        register("Pathways", "pathways:list", role="viewer", order=37)
