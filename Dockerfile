# The line in a container: the Procfile's command, with the audio built in Google's voices at image build time
# (bin/post_compile, as on Heroku; if Google cannot be reached the image is still built and Twilio's voice reads).
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN PYTHON=python bin/post_compile
ENV PORT=5000
EXPOSE 5000
CMD ["sh", "-c", "eval \"exec $(sed -n 's/^web: //p' Procfile)\""]
