from django.urls import path

from xinbao.notify import receipts, views

app_name = "notify"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/read/", views.read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("ack/<str:token>/", views.ack, name="ack"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call_record, name="call_record"),
    path("templates/", views.template_preview, name="template_preview"),
    path("receipts/sms/", receipts.sms_status, name="sms_receipt"),
]
