from django.urls import path

from xinbao.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_year, name="calendar"),
    path("<int:year>/", views.calendar_year, name="calendar_year"),
    path("<int:year>/complete/", views.year_complete, name="calendar_year_complete"),
    path("days/<int:pk>/remove/", views.day_remove, name="calendar_day_remove"),
]
