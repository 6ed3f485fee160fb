from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "hotline.workorders"
    label = "workorders"
    verbose_name = "工单"
