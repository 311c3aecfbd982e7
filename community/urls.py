from django.urls import path

from . import contact, views

app_name = "community"
urlpatterns = [
    path("", views.index, name="index"),
    path("vraag-stellen/", views.ask, name="ask"),
    path("vragen/<int:pk>/", views.question_redirect, name="question_short"),
    path("vragen/<int:pk>/<str:slug>/", views.question_detail, name="question"),
    path("vraag/<int:pk>/bewerken/", views.edit_question, name="edit_question"),
    path("vraag/<int:pk>/melden/", views.report_question, name="report_question"),
    path("antwoorden/<int:pk>/bewerken/", views.edit_answer, name="edit_answer"),
    path("antwoorden/<int:pk>/accepteren/", views.accept, name="accept"),
    path("antwoorden/<int:pk>/nuttig/", views.helpful, name="helpful"),
    path("antwoorden/<int:pk>/melden/", views.report_answer, name="report_answer"),
    path("praktijk/<int:practice_id>/overgenomen/", views.adopt, name="adopt"),
    path("overgenomen/<int:pk>/bewerken/", views.edit_adoption, name="edit_adoption"),
    path(
        "overgenomen/<int:pk>/intrekken/",
        views.withdraw_adoption,
        name="withdraw_adoption",
    ),
    path("contact/<int:contact_id>/", contact.contact, name="contact"),
    path(
        "contact/overgenomen/<int:adoption_id>/",
        contact.contact_adopter,
        name="contact_adopter",
    ),
    path("contact/controleer-je-e-mail/", contact.check_email, name="contact_check"),
    path("contact/bevestigen/<str:token>/", contact.confirm, name="contact_confirm"),
    path("contact/melden/<str:token>/", contact.report, name="contact_report"),
]
