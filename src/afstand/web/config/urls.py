from django.contrib.auth import views as auth_views
from django.urls import path

from afstand.web.research import codebook, coding, fieldwork, focus, qdpx, responses, results, studies, waves
from afstand.web.research import monitor as research
from afstand.web.respondent import api, assets, survey
from afstand.web.respondent import withdrawal as respondent

urlpatterns = [
    path("api/v1/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit"),
    path("api/v1/studies/<slug:study>/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit-study"),
    path("api/v1/studies/<slug:study>/waves/<slug:wave>/surveys/<slug:instrument>/responses", api.submit_response, name="api-submit-wave"),
    path("s/<slug:instrument>", survey.survey, name="survey"),
    path("s/<slug:instrument>/nee", survey.declined, name="survey-declined"),  # before <study>/<instrument>: "nee" is no instrument name
    path("s/<slug:study>/m/<slug:wave>/<slug:instrument>", survey.survey, name="survey-wave"),
    path("s/<slug:study>/<slug:instrument>", survey.survey, name="survey-study"),
    path("s/<slug:instrument>/verder/<str:token>", survey.resume, name="survey-resume"),
    path("s/<slug:study>/<slug:instrument>/verder/<str:token>", survey.resume, name="survey-resume-study"),
    path("s/<slug:study>/<slug:instrument>/nee", survey.declined, name="survey-declined-study"),
    path("s/<slug:instrument>/bedankt/<str:token>", survey.thanks, name="survey-thanks"),
    path("s/<slug:study>/<slug:instrument>/bedankt/<str:token>", survey.thanks, name="survey-thanks-study"),
    path("s/<slug:instrument>/bedankt/<str:token>/code.txt", survey.code_file, name="survey-code"),
    path("s/<slug:study>/<slug:instrument>/bedankt/<str:token>/code.txt", survey.code_file, name="survey-code-study"),
    path("static/survey.js", assets.script, name="survey-script"),
    path("favicon.ico", assets.favicon, name="favicon"),
    path("favicon.svg", assets.favicon, name="favicon-svg"),
    path("intrekken", respondent.withdraw, name="withdraw"),
    path("aanmelden/<slug:study>", respondent.signup, name="signup"),
    path("aanmelden/<slug:study>/m/<slug:wave>", respondent.signup, name="signup-wave"),
    path("onderzoek/inloggen/", research.LoginView.as_view(), name="login"),
    path("onderzoek/uitloggen/", auth_views.LogoutView.as_view(next_page="/onderzoek/inloggen/"), name="logout"),
    path("onderzoek/", research.home, name="research-home"),
    path("onderzoek/nieuw/", studies.new_study, name="research-new-study"),
    path("onderzoek/<slug:study>/", research.monitor, name="research-monitor"),
    path("onderzoek/<slug:study>/versie/", studies.new_version, name="research-new-version"),
    path("onderzoek/<slug:study>/codeboek/", codebook.upload, name="research-codebook"),
    path("onderzoek/<slug:study>/analyse/<slug:instrument>/", results.analysis, name="research-analysis"),
    path("onderzoek/<slug:study>/meting/", waves.new_wave, name="research-new-wave"),
    path("onderzoek/<slug:study>/meting/<slug:wave>/", fieldwork.wave_dates, name="research-wave-dates"),
    path("onderzoek/<slug:study>/trend/<slug:instrument>/", waves.trend_page, name="research-trend"),
    path("onderzoek/<slug:study>/aanmeldingen/", research.signups, name="research-signups"),
    path("onderzoek/<slug:study>/aanmeldingen.csv", research.signups, {"fmt": "csv"}, name="research-signups-csv"),
    path("onderzoek/<slug:study>/<slug:document>.<str:fmt>", results.report, name="research-report"),
    path("onderzoek/<slug:study>/coderen/", coding.overview, name="coding-overview"),
    path("onderzoek/<slug:study>/coderen/project.qdpx", qdpx.download, name="coding-qdpx"),
    path("onderzoek/<slug:study>/coderen/gecodeerd.jsonl", coding.coded_jsonl, name="coding-jsonl"),
    path("onderzoek/<slug:study>/coderen/importeren/", qdpx.upload, name="coding-qdpx-import"),
    path("onderzoek/<slug:study>/focusgroepen/", focus.notes, name="focus-notes"),
    path("onderzoek/<slug:study>/coderen/<str:question>/", coding.queue, name="coding-queue"),
    path("onderzoek/<slug:study>/coderen/<str:question>/alle/", coding.browse, name="coding-browse"),
    path("onderzoek/<slug:study>/coderen/<str:question>/frequenties/", coding.frequencies, name="coding-frequencies"),
    path("onderzoek/<slug:study>/coderen/<str:question>/overeenstemming/", coding.agreement, name="coding-agreement"),
    path("static/coding.js", coding.script, name="coding-script"),
    path("onderzoek/<slug:study>/export/<slug:instrument>.<str:fmt>", research.download, name="research-export"),
    path("onderzoek/<slug:study>/antwoorden/<slug:instrument>/", responses.responses, name="research-responses"),
]
