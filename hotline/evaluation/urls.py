from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.project_list, name="evaluation_projects"),
    path("<int:pk>/", views.project_detail, name="evaluation_project"),
    path("<int:pk>/fill/", views.project_fill, name="evaluation_project_fill"),
    path("<int:pk>/xlsx/", views.project_xlsx, name="evaluation_project_xlsx"),
    path("<int:pk>/docx/", views.project_docx, name="evaluation_project_docx"),
    path("<int:pk>/pdf/", views.project_pdf, name="evaluation_project_pdf"),
]
