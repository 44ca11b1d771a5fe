// Entry point of Bonifica's browser app.
document.querySelector('#app')!.textContent = 'Bonifica';
